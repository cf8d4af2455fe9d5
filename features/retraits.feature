# language: fr
Fonctionnalité: Retrait de points : montants et dates de valeur
  Un délit retire 6 points, une contravention au plus 6 ; des infractions simultanées (commises
  le même jour) retirent ensemble au plus 8 points (R5). Chaque mouvement du relevé porte sa
  date de valeur, distincte de sa date d'enregistrement : la décision pour un retrait (R8), le
  lendemain du stage pour un crédit (R27), la fin du délai pour une restitution (R44).

  @R5
  Plan du scénario: Un retrait est d'au plus 6 points, et un délit en retire 6
    Étant donné un permis non probatoire avec 12 points au 01/01/2026
    Quand l'agent tente d'enregistrer une infraction de <points> points de classe <classe> commise le 01/02/2026
    Alors la demande est refusée en citant la règle R5
    Et le solde du permis est de 12 points

    Exemples:
      | points | classe | motif                                   |
      | 7      | C5     | une contravention retire au plus 6      |
      | 4      | délit  | un délit retire 6 points, pas moins     |

  @R5
  Scénario: Des infractions commises le même jour retirent ensemble au plus 8 points
    Étant donné un permis non probatoire avec 12 points au 01/01/2026
    Et une infraction de 5 points commise le 01/02/2026
    Quand l'agent tente d'enregistrer une infraction de 4 points commise le 01/02/2026
    Alors la demande est refusée en citant la règle R5
    Quand une infraction de 3 points commise le 01/02/2026 est enregistrée
    Alors le solde du permis est de 4 points
    Quand l'agent tente d'enregistrer une infraction de 2 points commise le 02/02/2026
    Alors la demande est acceptée
    Et le solde du permis est de 2 points

  @R44 @R8 @R27 @D3
  Scénario: Le relevé date chaque mouvement de sa date de valeur, pas du jour où il est enregistré
    Étant donné un permis non probatoire avec 12 points au 01/01/2026
    Et que nous sommes le 01/04/2026
    Quand une infraction de 3 points commise le 01/02/2026, décidée le 20/02/2026 et payée le 10/02/2026 est enregistrée
    Alors le relevé du permis contient un retrait de 3 points au 20/02/2026
    Et le solde du permis au 19/02/2026 est de 12 points
    Et le solde du permis au 20/02/2026 est de 9 points
    Quand le conducteur demande un stage volontaire
    Et le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue et validée le 25/06/2026
    Alors le relevé du permis contient un crédit de stage de 3 points au 07/06/2026
    Et le solde du permis au 06/06/2026 est de 9 points
    Et le solde du permis au 07/06/2026 est de 12 points
